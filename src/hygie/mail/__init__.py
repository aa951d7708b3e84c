"""Patient data and mail: MSSanté addresses, free-webmail detection, the guard relay."""
