// QJL: placeholder until its issue lands.
