// JLTurboQuant: placeholder until its issue lands.
