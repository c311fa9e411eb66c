"""The model: connection and migrations, domain enums, one module per aggregate, analytics."""
