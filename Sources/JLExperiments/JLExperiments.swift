// JLExperiments: placeholder until its issue lands.
