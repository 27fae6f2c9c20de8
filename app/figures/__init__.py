"""Pure figure functions: data in, ``plotly.graph_objects.Figure`` out (no Dash, no I/O)."""
