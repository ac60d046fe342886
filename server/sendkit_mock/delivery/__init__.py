"""Side effects behind seams: webhook calls and report e-mails, each with a recording fake."""
