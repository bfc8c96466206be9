"""Background work: the job queue and runner, timers, service tasks, escalations and incidents."""
