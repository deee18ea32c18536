"""Blue/green releases of the web service through CodeDeploy: plan, migrate, shift, validate, roll back."""
