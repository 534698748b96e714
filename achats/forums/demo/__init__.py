"""Demo forums for `achats seed-demo`: categories and the threads buyers and experts wrote."""
