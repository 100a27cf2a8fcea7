"""Reading past reports: readers, fact extraction, the document checker. Never imports Django."""
