"""The city simulator (``kirana simulate``): the real services on a virtual clock, with
customers ordering as Instacart's customers did, pickers picking and riders riding the streets."""
