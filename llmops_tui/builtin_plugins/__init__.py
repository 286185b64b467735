"""The providers, judges and deploy targets that ship with llmops-tui, registered through the
same hooks a third-party plugin implements (`llmops_tui.plugin_manager.BUILTIN_PLUGINS`)."""
