"""Where data may live: residency policies, their decisions and compliance findings."""
