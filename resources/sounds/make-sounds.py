#!/usr/bin/env python3
"""Writes the terminal's two feedback sounds (our own, no third-party audio):
accepted.wav - a short rising two-tone chirp; rejected.wav - a low double buzz.
16-bit mono PCM, 22050 Hz. Run from this folder: python3 make-sounds.py"""
import math
import struct
import wave

RATE = 22050


def tone(frequency, seconds, volume=0.6, square=False):
    samples = []
    count = int(RATE * seconds)
    fade = int(RATE * 0.005)  # 5 ms fades: no clicks
    for i in range(count):
        phase = math.sin(2 * math.pi * frequency * i / RATE)
        value = (1.0 if phase >= 0 else -1.0) * 0.5 if square else phase
        envelope = min(1.0, i / fade, (count - i) / fade)
        samples.append(int(32767 * volume * value * envelope))
    return samples


def silence(seconds):
    return [0] * int(RATE * seconds)


def write(name, samples):
    with wave.open(name, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack("<%dh" % len(samples), *samples))


write("accepted.wav", tone(1320, 0.06) + tone(1760, 0.08))
write("rejected.wav", tone(220, 0.14, square=True) + silence(0.05) + tone(180, 0.2, square=True))
