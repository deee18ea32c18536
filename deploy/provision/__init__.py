"""An environment from an empty account to a serving app (``provision``), and back to nothing (``teardown``)."""
