// FFTW 3, double (libfftw3) and single (libfftw3f) precision (Debian: libfftw3-dev).
#ifndef JLSKETCH_CFFTW3_SHIM_H
#define JLSKETCH_CFFTW3_SHIM_H
#include <fftw3.h>
#endif
