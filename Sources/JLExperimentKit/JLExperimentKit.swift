// JLExperimentKit: placeholder until its issue lands.
