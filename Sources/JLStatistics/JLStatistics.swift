// JLStatistics: placeholder until its issue lands.
