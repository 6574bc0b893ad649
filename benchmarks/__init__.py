"""`manage.py bench` (`make bench`): every case against a floor measured in the same run. Not product code."""
