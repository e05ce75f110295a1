"""Infrastructure helpers: embedded development services, the S3 client, the ``make run`` launcher."""
