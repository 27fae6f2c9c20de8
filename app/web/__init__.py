"""Plain Flask routes that are not pages: browser geometry files."""
