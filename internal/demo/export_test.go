package demo

// GivePartnerServicesForTest exposes givePartnerServices to the tests.
var GivePartnerServicesForTest = givePartnerServices
