"""The reader's screens: the main three panes, the welcome view, help and small prompts."""
