"""Fits the erfc approximation used by dev.shears.kernels.Activations (run once; the coefficients are
pasted into Activations.java, so the build needs no Python).

For x >= 0.5:  erfc(x) = t * exp(-x*x + p(u)),  t = 1 / (1 + x/2),  u = (t - T_LO) / (T_HI - T_LO) * 2 - 1,
p a degree-12 polynomial in u fitted by least squares on 400 Chebyshev nodes of [0.5, 10.5] (the range
where erfc is a normal or subnormal float), against Python's math.erfc (double precision).
Prints the coefficients (power basis in u, constant first) and the largest relative error of erfc on a
fine grid, evaluated in double by Horner's rule as the Java code does.

Usage: python3 fit_erfc.py    (needs numpy)
"""
import math

import numpy as np
from numpy.polynomial import chebyshev as C

X_LO, X_HI, DEGREE = 0.5, 10.5, 12
T_LO, T_HI = 1 / (1 + X_HI / 2), 1 / (1 + X_LO / 2)


def u_of(t):
    return (t - T_LO) / (T_HI - T_LO) * 2 - 1


nodes = np.cos(np.pi * (np.arange(400) + 0.5) / 400)
ts = (nodes + 1) / 2 * (T_HI - T_LO) + T_LO
xs = 2 / ts - 2
ys = np.array([math.log(math.erfc(x) * (1 + x / 2)) + x * x for x in xs])
power = C.cheb2poly(C.chebfit(u_of(ts), ys, DEGREE))

worst = 0.0
for x in np.linspace(X_LO, X_HI, 50001):
    t = 1 / (1 + x / 2)
    u = u_of(t)
    p = 0.0
    for c in reversed(power):
        p = p * u + c
    worst = max(worst, abs(t * math.exp(-x * x + p) / math.erfc(x) - 1))
print("T_LO = %r, T_HI = %r" % (T_LO, T_HI))
print("coefficients (u^0 first):")
for c in power:
    print("    %r," % float(c))
print("max relative error of erfc on [%g, %g]: %.3g" % (X_LO, X_HI, worst))
