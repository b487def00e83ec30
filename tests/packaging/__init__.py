"""The distribution as pip builds and installs it, away from the checkout."""
