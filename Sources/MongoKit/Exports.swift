/// MongoKit's documents are the pure-Swift `BSON` target's: importing MongoKit brings them along.
@_exported import BSON
