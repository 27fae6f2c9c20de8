"""HTTP layer of the tips service: the app assembly, dependencies, one module of routes per resource."""
