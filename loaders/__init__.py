"""Everything that turns outside files into rows: importer, demo-data generator, first-start set-up."""
