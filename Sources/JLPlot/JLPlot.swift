// JLPlot: placeholder until its issue lands.
