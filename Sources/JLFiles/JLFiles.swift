// JLFiles: placeholder until its issue lands.
