"""The simulated organization's records: generation from a seed, storage, changes, events.

``simulator.organization.SimulatedOrganization`` is the only public entry point; the
modules here each own one kind of record or one mechanism (ids, time, paging, changes).
"""
