package directory

import "strings"

// city is a US city with its approximate centre, population (city proper,
// thousands) and time zone: public facts used to place synthetic services.
type city struct {
	name     string
	lat, lon float64
	pop      int
	tz       string
}

const (
	east     = "America/New_York"
	central  = "America/Chicago"
	mountain = "America/Denver"
	arizona  = "America/Phoenix"
	pacific  = "America/Los_Angeles"
	alaska   = "America/Anchorage"
	hawaii   = "Pacific/Honolulu"
)

var cities = []city{
	{"New York", 40.71, -74.01, 8300, east}, {"Los Angeles", 34.05, -118.24, 3900, pacific},
	{"Chicago", 41.88, -87.63, 2700, central}, {"Houston", 29.76, -95.37, 2300, central},
	{"Phoenix", 33.45, -112.07, 1600, arizona}, {"Philadelphia", 39.95, -75.17, 1580, east},
	{"San Antonio", 29.42, -98.49, 1450, central}, {"San Diego", 32.72, -117.16, 1390, pacific},
	{"Dallas", 32.78, -96.80, 1300, central}, {"Jacksonville", 30.33, -81.66, 950, east},
	{"Austin", 30.27, -97.74, 960, central}, {"Fort Worth", 32.76, -97.33, 920, central},
	{"San Jose", 37.34, -121.89, 1000, pacific}, {"Columbus", 39.96, -83.00, 900, east},
	{"Charlotte", 35.23, -80.84, 880, east}, {"Indianapolis", 39.77, -86.16, 880, east},
	{"San Francisco", 37.77, -122.42, 810, pacific}, {"Seattle", 47.61, -122.33, 750, pacific},
	{"Denver", 39.74, -104.99, 715, mountain}, {"Oklahoma City", 35.47, -97.52, 690, central},
	{"Nashville", 36.16, -86.78, 690, central}, {"Washington", 38.91, -77.04, 680, east},
	{"El Paso", 31.76, -106.49, 680, mountain}, {"Las Vegas", 36.17, -115.14, 650, pacific},
	{"Boston", 42.36, -71.06, 650, east}, {"Detroit", 42.33, -83.05, 620, east},
	{"Portland", 45.52, -122.68, 630, pacific}, {"Louisville", 38.25, -85.76, 630, east},
	{"Memphis", 35.15, -90.05, 620, central}, {"Baltimore", 39.29, -76.61, 570, east},
	{"Milwaukee", 43.04, -87.91, 570, central}, {"Albuquerque", 35.08, -106.65, 560, mountain},
	{"Tucson", 32.22, -110.97, 540, arizona}, {"Fresno", 36.74, -119.79, 540, pacific},
	{"Sacramento", 38.58, -121.49, 525, pacific}, {"Mesa", 33.42, -111.83, 500, arizona},
	{"Kansas City", 39.10, -94.58, 510, central}, {"Atlanta", 33.75, -84.39, 500, east},
	{"Omaha", 41.26, -95.93, 485, central}, {"Colorado Springs", 38.83, -104.82, 480, mountain},
	{"Raleigh", 35.78, -78.64, 470, east}, {"Long Beach", 33.77, -118.19, 460, pacific},
	{"Virginia Beach", 36.85, -75.98, 455, east}, {"Miami", 25.76, -80.19, 450, east},
	{"Oakland", 37.80, -122.27, 430, pacific}, {"Minneapolis", 44.98, -93.27, 425, central},
	{"Tulsa", 36.15, -95.99, 410, central}, {"Bakersfield", 35.37, -119.02, 400, pacific},
	{"Wichita", 37.69, -97.34, 395, central}, {"Arlington", 32.74, -97.11, 395, central},
	{"Aurora", 39.73, -104.83, 390, mountain}, {"Tampa", 27.95, -82.46, 400, east},
	{"New Orleans", 29.95, -90.07, 370, central}, {"Cleveland", 41.50, -81.69, 365, east},
	{"Honolulu", 21.31, -157.86, 345, hawaii}, {"Anaheim", 33.84, -117.91, 345, pacific},
	{"Lexington", 38.04, -84.50, 320, east}, {"Stockton", 37.96, -121.29, 320, pacific},
	{"Corpus Christi", 27.80, -97.40, 317, central}, {"Henderson", 36.04, -114.98, 320, pacific},
	{"Riverside", 33.95, -117.40, 315, pacific}, {"Newark", 40.74, -74.17, 305, east},
	{"Saint Paul", 44.95, -93.09, 305, central}, {"Santa Ana", 33.75, -117.87, 310, pacific},
	{"Cincinnati", 39.10, -84.51, 310, east}, {"Irvine", 33.68, -117.83, 310, pacific},
	{"Orlando", 28.54, -81.38, 310, east}, {"Pittsburgh", 40.44, -80.00, 300, east},
	{"St. Louis", 38.63, -90.20, 295, central}, {"Greensboro", 36.07, -79.79, 300, east},
	{"Jersey City", 40.73, -74.08, 290, east}, {"Anchorage", 61.22, -149.90, 290, alaska},
	{"Lincoln", 40.81, -96.70, 292, central}, {"Plano", 33.02, -96.70, 285, central},
	{"Durham", 35.99, -78.90, 285, east}, {"Buffalo", 42.89, -78.88, 275, east},
	{"Chandler", 33.31, -111.84, 275, arizona}, {"Chula Vista", 32.64, -117.08, 275, pacific},
	{"Toledo", 41.65, -83.54, 270, east}, {"Madison", 43.07, -89.40, 270, central},
	{"Gilbert", 33.35, -111.79, 265, arizona}, {"Reno", 39.53, -119.81, 265, pacific},
	{"Fort Wayne", 41.08, -85.14, 265, east}, {"North Las Vegas", 36.20, -115.12, 262, pacific},
	{"St. Petersburg", 27.77, -82.64, 258, east}, {"Lubbock", 33.58, -101.86, 260, central},
	{"Irving", 32.81, -96.95, 255, central}, {"Laredo", 27.53, -99.48, 255, central},
	{"Winston-Salem", 36.10, -80.24, 250, east}, {"Chesapeake", 36.77, -76.29, 250, east},
	{"Glendale", 33.54, -112.19, 250, arizona}, {"Garland", 32.91, -96.64, 245, central},
	{"Scottsdale", 33.49, -111.93, 245, arizona}, {"Norfolk", 36.85, -76.29, 235, east},
	{"Boise", 43.62, -116.20, 235, mountain}, {"Fremont", 37.55, -121.99, 230, pacific},
	{"Spokane", 47.66, -117.43, 230, pacific}, {"Santa Clarita", 34.39, -118.54, 225, pacific},
	{"Baton Rouge", 30.45, -91.19, 225, central}, {"Richmond", 37.54, -77.44, 228, east},
	{"Hialeah", 25.86, -80.28, 222, east}, {"San Bernardino", 34.11, -117.29, 222, pacific},
	{"Tacoma", 47.25, -122.44, 220, pacific}, {"Modesto", 37.64, -120.99, 218, pacific},
	{"Huntsville", 34.73, -86.59, 215, central}, {"Des Moines", 41.59, -93.62, 214, central},
	{"Yonkers", 40.93, -73.90, 210, east}, {"Rochester", 43.16, -77.61, 210, east},
	{"Moreno Valley", 33.94, -117.23, 210, pacific}, {"Fayetteville", 35.05, -78.88, 208, east},
	{"Fontana", 34.09, -117.44, 210, pacific}, {"Columbus GA", 32.46, -84.99, 205, east},
	{"Worcester", 42.26, -71.80, 205, east}, {"Port St. Lucie", 27.27, -80.35, 205, east},
	{"Little Rock", 34.75, -92.29, 202, central}, {"Augusta", 33.47, -81.97, 202, east},
	{"Oxnard", 34.20, -119.18, 200, pacific}, {"Birmingham", 33.52, -86.80, 200, central},
	{"Montgomery", 32.38, -86.30, 198, central}, {"Frisco", 33.15, -96.82, 200, central},
	{"Amarillo", 35.22, -101.83, 200, central}, {"Salt Lake City", 40.76, -111.89, 200, mountain},
	{"Grand Rapids", 42.96, -85.67, 198, east}, {"Huntington Beach", 33.66, -118.00, 198, pacific},
	{"Overland Park", 38.98, -94.67, 197, central}, {"Glendale CA", 34.14, -118.26, 196, pacific},
	{"Tallahassee", 30.44, -84.28, 196, east}, {"Grand Prairie", 32.75, -97.00, 196, central},
	{"McKinney", 33.20, -96.64, 195, central}, {"Cape Coral", 26.56, -81.95, 194, east},
	{"Sioux Falls", 43.54, -96.73, 192, central}, {"Knoxville", 35.96, -83.92, 190, east},
	{"Providence", 41.82, -71.41, 190, east}, {"Chattanooga", 35.05, -85.31, 181, east},
	{"Jackson", 32.30, -90.18, 150, central}, {"Charleston", 32.78, -79.93, 150, east},
	{"Albany", 42.65, -73.76, 100, east}, {"Portland ME", 43.66, -70.26, 68, east},
	{"Burlington", 44.48, -73.21, 45, east}, {"Billings", 45.78, -108.50, 117, mountain},
	{"Fargo", 46.88, -96.79, 125, central}, {"Cheyenne", 41.14, -104.82, 65, mountain},
	{"Manchester", 42.99, -71.46, 115, east}, {"Wilmington", 39.74, -75.55, 70, east},
	{"Charleston WV", 38.35, -81.63, 48, east}, {"Rapid City", 44.08, -103.23, 78, mountain},
}

// cityState is the state (USPS code) of each city in cities.
var cityState = map[string]string{
	"New York": "NY", "Los Angeles": "CA", "Chicago": "IL", "Houston": "TX", "Phoenix": "AZ", "Philadelphia": "PA",
	"San Antonio": "TX", "San Diego": "CA", "Dallas": "TX", "Jacksonville": "FL", "Austin": "TX", "Fort Worth": "TX",
	"San Jose": "CA", "Columbus": "OH", "Charlotte": "NC", "Indianapolis": "IN", "San Francisco": "CA", "Seattle": "WA",
	"Denver": "CO", "Oklahoma City": "OK", "Nashville": "TN", "Washington": "DC", "El Paso": "TX", "Las Vegas": "NV",
	"Boston": "MA", "Detroit": "MI", "Portland": "OR", "Louisville": "KY", "Memphis": "TN", "Baltimore": "MD",
	"Milwaukee": "WI", "Albuquerque": "NM", "Tucson": "AZ", "Fresno": "CA", "Sacramento": "CA", "Mesa": "AZ",
	"Kansas City": "MO", "Atlanta": "GA", "Omaha": "NE", "Colorado Springs": "CO", "Raleigh": "NC", "Long Beach": "CA",
	"Virginia Beach": "VA", "Miami": "FL", "Oakland": "CA", "Minneapolis": "MN", "Tulsa": "OK", "Bakersfield": "CA",
	"Wichita": "KS", "Arlington": "TX", "Aurora": "CO", "Tampa": "FL", "New Orleans": "LA", "Cleveland": "OH",
	"Honolulu": "HI", "Anaheim": "CA", "Lexington": "KY", "Stockton": "CA", "Corpus Christi": "TX", "Henderson": "NV",
	"Riverside": "CA", "Newark": "NJ", "Saint Paul": "MN", "Santa Ana": "CA", "Cincinnati": "OH", "Irvine": "CA",
	"Orlando": "FL", "Pittsburgh": "PA", "St. Louis": "MO", "Greensboro": "NC", "Jersey City": "NJ", "Anchorage": "AK",
	"Lincoln": "NE", "Plano": "TX", "Durham": "NC", "Buffalo": "NY", "Chandler": "AZ", "Chula Vista": "CA",
	"Toledo": "OH", "Madison": "WI", "Gilbert": "AZ", "Reno": "NV", "Fort Wayne": "IN", "North Las Vegas": "NV",
	"St. Petersburg": "FL", "Lubbock": "TX", "Irving": "TX", "Laredo": "TX", "Winston-Salem": "NC", "Chesapeake": "VA",
	"Glendale": "AZ", "Garland": "TX", "Scottsdale": "AZ", "Norfolk": "VA", "Boise": "ID", "Fremont": "CA",
	"Spokane": "WA", "Santa Clarita": "CA", "Baton Rouge": "LA", "Richmond": "VA", "Hialeah": "FL", "San Bernardino": "CA",
	"Tacoma": "WA", "Modesto": "CA", "Huntsville": "AL", "Des Moines": "IA", "Yonkers": "NY", "Rochester": "NY",
	"Moreno Valley": "CA", "Fayetteville": "NC", "Fontana": "CA", "Columbus GA": "GA", "Worcester": "MA",
	"Port St. Lucie": "FL", "Little Rock": "AR", "Augusta": "GA", "Oxnard": "CA", "Birmingham": "AL", "Montgomery": "AL",
	"Frisco": "TX", "Amarillo": "TX", "Salt Lake City": "UT", "Grand Rapids": "MI", "Huntington Beach": "CA",
	"Overland Park": "KS", "Glendale CA": "CA", "Tallahassee": "FL", "Grand Prairie": "TX", "McKinney": "TX",
	"Cape Coral": "FL", "Sioux Falls": "SD", "Knoxville": "TN", "Providence": "RI", "Chattanooga": "TN", "Jackson": "MS",
	"Charleston": "SC", "Albany": "NY", "Portland ME": "ME", "Burlington": "VT", "Billings": "MT", "Fargo": "ND",
	"Cheyenne": "WY", "Manchester": "NH", "Wilmington": "DE", "Charleston WV": "WV", "Rapid City": "SD",
}

// CityPoint returns the centre of a city of the gazetteer by its name
// (case-insensitive), for the gap analysis's areas.
func CityPoint(name string) (Point, bool) {
	for _, c := range cities {
		if strings.EqualFold(c.name, name) {
			return Point{Lat: c.lat, Lon: c.lon}, true
		}
	}
	return Point{}, false
}
