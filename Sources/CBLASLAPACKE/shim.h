// OpenBLAS CBLAS + LAPACKE (Debian: libopenblas-dev, liblapacke-dev).
// Include <cblas.h>, not the Debian-only <cblas-openblas.h>. Indices are 32-bit here.
#ifndef JLSKETCH_CBLASLAPACKE_SHIM_H
#define JLSKETCH_CBLASLAPACKE_SHIM_H
#include <cblas.h>
#include <lapacke.h>
// OpenBLAS extensions; declared in its cblas.h, repeated here in case another cblas.h wins.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);
#endif
