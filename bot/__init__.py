"""sabtyar's answer engine and everything that is not messenger-specific.

Native math libraries are kept to one thread unless the environment says otherwise: the engine
scores one question at a time (no gain from a thread pool), and ``[general] workers`` forks the
process after the engine is built, which is only safe while the process has a single thread.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
del _variable
