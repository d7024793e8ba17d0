"""The award integer program: plain data in, an award with its diagnostics out."""
