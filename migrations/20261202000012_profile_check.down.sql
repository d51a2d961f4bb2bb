-- The profile check goes: the library reads the profile's role in its own statement.
drop function lms_private.require_profile();
