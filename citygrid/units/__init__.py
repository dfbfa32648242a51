"""Social units (社会组织数据): the register of places and units by class; venues extend it."""
