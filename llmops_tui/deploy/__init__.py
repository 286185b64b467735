"""The release lifecycle: environments, deployments through deploy targets, canary analysis
and rollback. No Textual."""
