"""The reader's widgets: each owns one pane and talks to the screen by messages."""
