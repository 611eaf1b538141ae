// JLNumpy: placeholder until its issue lands.
