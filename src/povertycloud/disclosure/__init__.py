"""What the public may see: figures with small cells suppressed, announcements, publicity
lists, and complaints with their tracking codes and deadlines."""
