"""The document library: tender documents, clauses and publications, reviewed before publication, searchable inside the files."""
