"""The background loop: reconcile passes, and periodic jobs (month close, audit
checkpoints) at their own pace. Calls services only."""
