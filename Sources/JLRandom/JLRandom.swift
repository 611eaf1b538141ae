// JLRandom: placeholder until its issue lands.
