"""The runbook as code: status, logs, one-off tasks, ECS Exec and release history of a deployed environment."""
