"""The chat backend's application package (only the models are bundled with this example)."""
