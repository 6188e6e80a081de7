"""The background loop: reconcile (later: schedules, month close). Calls services only."""
