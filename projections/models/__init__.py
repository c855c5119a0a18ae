"""One module per read model: its tables, the events it handles, and the rows they write."""
