"""The operator console: find any case, read everything about one, and act on it (suspend, resume, cancel,
reassign). Outside `engine.services.cases` because cancelling reuses the incidents' recovery, which the step path
must never import."""
