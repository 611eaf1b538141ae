// JLTheory: placeholder until its issue lands.
