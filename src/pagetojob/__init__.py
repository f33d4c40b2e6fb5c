"""PageToJob: a contractor's website mapped to ServiceTitan, with the proof of what each page earned."""

__version__ = "0.1.0"
