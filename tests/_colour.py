"""Colour-vision helpers for the symbology tests: CIELAB distance, colour-blindness simulation.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation
of color vision deficiency", severity 1.0 matrices, applied in linear sRGB. Distance: CIE76
ΔE*ab in CIELAB (D65). Both are published formulas; the matrices are the paper's table values.
"""
from __future__ import annotations

import math

MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def hex_rgb(color: str) -> tuple[float, float, float]:
    c = color.lstrip("#")
    return tuple(int(c[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _lin(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gam(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(color: str, deficiency: str | None) -> tuple[float, float, float]:
    """sRGB (0-1) of a colour as seen with a deficiency (None = normal vision)."""
    rgb = hex_rgb(color)
    if deficiency is None:
        return rgb
    lin = [_lin(c) for c in rgb]
    m = MACHADO_2009[deficiency]
    out = [sum(m[i][j] * lin[j] for j in range(3)) for i in range(3)]
    return tuple(_gam(c) for c in out)  # type: ignore[return-value]


def lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (_lin(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str, deficiency: str | None = None) -> float:
    """CIE76 ΔE between two colours as seen with a deficiency (None = normal vision)."""
    la, lb = lab(simulate(a, deficiency)), lab(simulate(b, deficiency))
    return math.dist(la, lb)


def min_delta_e(colors: list[str]) -> tuple[float, str, str, str]:
    """The smallest ΔE over every pair and every vision type: (ΔE, a, b, vision)."""
    best = (math.inf, "", "", "")
    for i, a in enumerate(colors):
        for b in colors[i + 1:]:
            for d in (None, *MACHADO_2009):
                e = delta_e(a, b, d)
                if e < best[0]:
                    best = (e, a, b, d or "normal")
    return best
