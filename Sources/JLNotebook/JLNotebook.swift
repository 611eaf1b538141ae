// JLNotebook: placeholder until its issue lands.
