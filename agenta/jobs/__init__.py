"""Jobs: one API (``JobQueue.enqueue``), one jobs table, two runners (in-process and arq)."""
