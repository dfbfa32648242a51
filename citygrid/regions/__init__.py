"""The territorial tree, its grids, the grid workers and the geography behind them."""
